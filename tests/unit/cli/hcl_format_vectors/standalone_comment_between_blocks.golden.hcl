path "a" {
  capabilities = ["read"]
}

# standalone between top-level blocks

path "b" {
  capabilities = ["read"]
}
