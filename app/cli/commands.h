#pragma once
/** sluice-cli subcommands. Each takes the arguments after its name and returns an exit code. */

namespace sluice::cli {

/** sluice-cli serve [options]: the local stream server. */
int runServe(int argc, char** argv);
/** sluice-cli request [options] URL...: the streaming client. */
int runRequest(int argc, char** argv);
/** sluice-cli run FILE.http [options]: the requests of a .http file, in order, on one client. */
int runRun(int argc, char** argv);
/** sluice-cli import COLLECTION.json DIR: a Postman Collection v2.1 into .http files. */
int runImport(int argc, char** argv);

}  // namespace sluice::cli
