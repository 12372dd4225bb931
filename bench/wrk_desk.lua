-- wrk_desk.lua - GET /api/desk as one operator (env QTM_TOKEN).
wrk.method = "GET"
wrk.path = "/api/desk"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("QTM_TOKEN")
