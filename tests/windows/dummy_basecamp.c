/* A stand-in for EndpointBasecamp.exe in the Wine smoke test: it only waits, so the
   Windows probe has a real process of that name to find. */
#include <windows.h>

int main(void) {
    Sleep(10 * 60 * 1000);
    return 0;
}
