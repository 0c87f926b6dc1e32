"""ACL policies: which token may do what on which path."""
