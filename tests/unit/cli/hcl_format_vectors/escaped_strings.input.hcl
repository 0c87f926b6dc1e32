path "esc\"aped" {
  capabilities = ["read"]
  allowed_parameters = {
    "x" = ["${foo}", "a\\b"]
  }
}
