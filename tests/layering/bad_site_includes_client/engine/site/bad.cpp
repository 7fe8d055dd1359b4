// A fixture for the layering test: the upload site reaching into the client.
#include "engine/client/pool.h"
