// GET /v1/program: the programme version this node serves (api/program_watch.h).
#include "api/handlers.h"
#include "api/program_watch.h"
#include "core/business_time.h"
#include "core/json_writer.h"

namespace loyalty {

Result<ApiResponse> HandleGetProgram(ServiceEnv& env, const ApiRequest&) {
  if (env.program_watch == nullptr) {
    return Status(Code::kNotFound, "this server's programme was not read from the database");
  }
  const ProgramVersion& v = env.program_watch->served();
  return ApiResponse::Json(200, JsonWriter()
                                    .Int("version", v.version)
                                    .Str("hash", v.hash)
                                    .Str("effective_at", FormatInstant(v.effective_at_us))
                                    .Str("applied_at", FormatInstant(v.applied_at_us))
                                    .Str("author", v.author)
                                    .Raw("program", v.program_json)
                                    .Finish());
}

}  // namespace loyalty
