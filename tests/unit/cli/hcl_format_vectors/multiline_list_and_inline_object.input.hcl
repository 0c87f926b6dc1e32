path "a" {
  capabilities = ["read",
  "list"]
  allowed_parameters = { "a" = ["b"] }
}
