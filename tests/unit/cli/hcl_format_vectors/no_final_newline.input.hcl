path "a" {
  capabilities = ["read"]
}