path "a" {
  capabilities = ["read"]

  # lead of policy
  policy           = "read"
  min_wrapping_ttl = "1s"
}
