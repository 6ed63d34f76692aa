/* Test harness only (never shipped): Wine 8.0 has no bcryptprimitives.dll, whose ProcessPrng the Rust
   standard library in pydantic_core calls for random bytes on Windows 10 and later. This stand-in fills
   the buffer from RtlGenRandom (advapi32's SystemFunction036), which Wine has.
   Built by tests/test_windows.py with Debian's mingw-w64:
     x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c bcryptprimitives.def */
#include <windows.h>

typedef BOOLEAN (WINAPI *gen_random)(PVOID, ULONG);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
    static gen_random fill;
    if (!fill) {
        HMODULE advapi = LoadLibraryA("advapi32.dll");
        if (!advapi) return FALSE;
        fill = (gen_random)GetProcAddress(advapi, "SystemFunction036");
        if (!fill) return FALSE;
    }
    while (size > 0) {
        ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
        if (!fill(data, chunk)) return FALSE;
        data += chunk;
        size -= chunk;
    }
    return TRUE;
}
