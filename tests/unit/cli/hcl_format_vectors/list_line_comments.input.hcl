path "a/+/b" {
  capabilities = [
    "read", # why
    "list",   # because
  ]
  min_wrapping_ttl = 30
  max_wrapping_ttl = "1h" // done
}
