path "a" {
  capabilities = ["read"]
}
# between, adjacent to next
path "b" {
  # standalone first in block

  capabilities = ["read"]

  # standalone between

  policy = "write"
}
