// Defines the one GLIBCXX_3.4.32 symbol libLibTorchSharp.so needs, for hosts whose libstdc++ is older (Debian 12).
// GCC 13 calls it from every translation unit that includes <iostream>; constructing ios_base::Init is all it does.
#include <ios>

namespace std
{
__attribute__((visibility("default"))) void ios_base_library_init()
{
    static ios_base::Init init;
}
}
