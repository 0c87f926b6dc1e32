# header comment

# lead of first
path "secret/*" {
  capabilities     = ["read", "list"] # inline
  min_wrapping_ttl = "1h"
  max_wrapping_ttl = "2h"

  allowed_parameters = {
    "foo" = ["a", "b"]
    "*"   = []
  }

  # trailing in block
}

path "sys/mounts" {
  capabilities = ["sudo"]
}

path "x" {
  policy = "read"
}

// slash comment
path "y" {
  capabilities = [
    "create", # c1
    "update",

    # lead in list
    "delete",
  ]

  denied_parameters = {
    "bar" = []
  }

  required_parameters = ["a", "b"]
}

/* block
   comment */
path "z" {}

path "w" {}

# end comment
