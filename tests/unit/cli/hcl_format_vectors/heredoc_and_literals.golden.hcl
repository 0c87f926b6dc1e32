path "c" {
  allowed_parameters = {
    "k" = [<<EOT
some
  text
EOT
    ]

    "j"      = [1, true, 2.5, "s", -3] # trailing
    "longer" = []
  }
}
