// `loyalty`: one binary, several commands (app/commands.h); the command line is app/cli.h's.
#include "app/cli.h"

int main(int argc, char** argv) { return loyalty::cli::RunCli(argc, argv); }
