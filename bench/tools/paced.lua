-- wrk script for the end-to-end scenario: single-event pushes at a fixed total rate, each body
-- carrying a unique id and its send time, so the database can tell push-to-row latency.
--
--   BENCH_TEMPLATE  file holding one event with @ID@ and @SENT@ where the id and send time go
--   BENCH_RATE      pushes per second, over all threads
--   BENCH_THREADS   wrk's -t (each thread paces its share)
--   BENCH_ID_SIGN   1: ids 0, 1, 2, ...; -1: ids -1, -2, ... (warm-up, left out of the figures)
--
-- The send time is taken as the request is built, just before wrk writes it: LuaJIT's FFI reads
-- the wall clock that Postgres' clock_timestamp() also reads.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } inlet_timespec;
  int clock_gettime(int clk_id, inlet_timespec *tp);
]]
local CLOCK_REALTIME = 0
local ts = ffi.new("inlet_timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_REALTIME, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local threads = tonumber(os.getenv("BENCH_THREADS"))
local sign = tonumber(os.getenv("BENCH_ID_SIGN") or "1")
local interval_ms = threads * 1000 / tonumber(os.getenv("BENCH_RATE"))
local file = assert(io.open(os.getenv("BENCH_TEMPLATE"), "rb"))
local template = file:read("*a")
file:close()
local id_at = assert(template:find("@ID@", 1, true))
local sent_at = assert(template:find("@SENT@", 1, true))
local head, middle, tail = template:sub(1, id_at - 1), template:sub(id_at + 4, sent_at - 1), template:sub(sent_at + 6)

local counter = 0
function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end

local n = 0
local due
local headers = { ["Content-Type"] = "application/json" }

-- Each call reserves the thread's next send slot, so the rate holds however many connections
-- are waiting; a slot already past is sent at once (the driver catches up, it never skips).
function delay()
  local now = now_ms()
  due = due and due + interval_ms or now
  return math.max(0, math.floor(due - now))
end

function request()
  local id = index + threads * n
  n = n + 1
  if sign < 0 then id = -(id + 1) end
  -- 0.1 ms is plenty, and 15 characters: a run of 16 digits and dots (%.3f's) sends the whole
  -- body through Inlet's exact-number JSON parser (src/json), which ordinary webhooks never take.
  local body = head .. id .. middle .. string.format("%.1f", now_ms()) .. tail
  return wrk.format("POST", nil, headers, body)
end
