path "a" {
  capabilities = ["read"]
} # line after block

path "b" {
  capabilities = ["read"] # one
  policy       = "read"   # two longer
}
