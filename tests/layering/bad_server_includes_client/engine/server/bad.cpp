// A fixture for the layering test: a server core file that reaches into the client.
#include "engine/client/client.h"
