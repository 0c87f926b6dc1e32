path "a" {
  capabilities = ["read"]
}
