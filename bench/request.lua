-- The request of one benchmark scenario, for
-- `wrk -s bench/request.lua <url> -- METHOD [BODY [PATH_HEAD PATH_TAIL]]`.
--
-- run.py passes every scenario through this script: the method and the (JSON) body come from
-- the script arguments, the headers (X-Vault-Token) from `wrk -H`.
--
-- Without PATH_HEAD the request is formatted once per wrk thread (wrk.init does it after this
-- init) and sent unchanged on every connection, exactly like wrk's own static GET, so the script
-- costs wrk nothing per request.
--
-- With PATH_HEAD (a scenario whose path holds a counter, such as kv-write) every request goes to
-- a path of its own, PATH_HEAD .. <thread>-<count> .. PATH_TAIL: `request()` formats it per call
-- with wrk.format (one string concatenation over the method, path, headers and body; a few
-- microseconds of wrk's CPU, far below the server's cost of a write).

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("id", threads)
end

local head, tail, count = nil, "", 0

local function counted_request()
   count = count + 1
   return wrk.format(nil, head .. count .. tail)
end

function init(args)
   wrk.method = args[1] or "GET"
   local body = args[2]
   if body ~= nil and body ~= "" then
      wrk.body = body
      wrk.headers["Content-Type"] = "application/json"
   end
   if args[3] ~= nil and args[3] ~= "" then
      head = args[3] .. wrk.thread:get("id") .. "-"
      tail = args[4] or ""
      request = counted_request -- wrk looks for a global request() after init: dynamic
   end
end
