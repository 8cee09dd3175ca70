-- wrk script: POST /v1/orders with a unique order_id per request, spread over N customers.
-- wrk -s tests/bench/orders.lua URL -- RUN_ID API_KEY CUSTOMERS [REDEEM]
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  run_id = args[1] or "run"
  api_key = args[2]
  customers = tonumber(args[3] or "1000")
  counter = 0
  headers = {["Authorization"] = "Bearer " .. api_key, ["Content-Type"] = "application/json"}
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"order_id":"%s-%d-%d","customer_id":"bc-%d","amount_won":%d}',
    run_id, tid, counter, (counter * 7 + tid * 13) % customers, 10000 + (counter % 90) * 1000)
  return wrk.format("POST", "/v1/orders", headers, body)
end
