// A fixture for the layering test: the HTTP grammar layer reaching into sockets.
#include "engine/net/socket.h"
