name = "x"

path "a" {
  capabilities       = []
  allowed_parameters = {}
}

path "b" {}
path "c" {}

path "d" {
  capabilities = ["read"]
}
