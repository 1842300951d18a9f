/* Stand-in for the macOS SDK header, so ring's C code can be type-checked for
   aarch64-apple-darwin on Linux (scripts/test.sh). Nothing built with it is linked. */
#ifndef TARGET_CONDITIONALS_STUB_H
#define TARGET_CONDITIONALS_STUB_H
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_TV 0
#define TARGET_OS_SIMULATOR 0
#endif
