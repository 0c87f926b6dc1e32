path "a" {
  capabilities = ["read"]

  allowed_parameters = {
    # only comment
  }

  denied_parameters = {}
}

path "b" {
  capabilities = ["deny"]
}

path "c" {
  capabilities        = ["read", "update", "list", "delete", "create", "sudo", "patch"]
  required_parameters = ["x"]
}
