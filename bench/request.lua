-- The request of one benchmark scenario, for `wrk -s bench/request.lua <url> -- METHOD [BODY]`.
--
-- run.py passes every scenario through this script: the method and the (JSON) body come from
-- the script arguments, the headers (X-Vault-Token) from `wrk -H`. The request is formatted
-- once per wrk thread (wrk.init does it after this init) and sent unchanged on every
-- connection, exactly like wrk's own static GET, so the script costs wrk nothing per request.

function init(args)
   wrk.method = args[1] or "GET"
   local body = args[2]
   if body ~= nil and body ~= "" then
      wrk.body = body
      wrk.headers["Content-Type"] = "application/json"
   end
end
