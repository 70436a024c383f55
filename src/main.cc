#include "gptvault/cli/app.h"

int main(int argc, char** argv) { return gptvault::cli::RunApp(argc, argv); }
