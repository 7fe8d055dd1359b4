// A fixture for the layering test: the workspace reaching into the client.
#include "engine/client/client.h"
