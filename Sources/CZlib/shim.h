#ifndef AGENT_LEDGER_CZLIB_SHIM_H
#define AGENT_LEDGER_CZLIB_SHIM_H
#include <zlib.h>
#endif
