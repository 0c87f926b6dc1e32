
   path "a" {
 capabilities = ["read"]
}



