// word_index.cpp - the source bench/freespace_replay.py has clang++ compile
// with -O2: the compiler, a large C++ program (LLVM's containers, templates
// and optimizer), is the program whose allocations are recorded.  Regular
// expressions, hash maps, maps and streams give it plenty to instantiate.
#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>
int main(int argc, char **argv)
{
    std::unordered_map<std::string, std::vector<std::string>> index;
    std::regex word("[a-z]+");
    std::string line;
    while (std::getline(std::cin, line))
        for (std::sregex_iterator i(line.begin(), line.end(), word), end; i != end; ++i)
            index[i->str()].push_back(line);
    std::map<std::size_t, std::string> by_count;
    for (auto &[w, lines] : index) by_count.emplace(lines.size(), w);
    std::ostringstream out;
    for (auto &[n, w] : by_count) out << n << ' ' << w << '\n';
    std::cout << out.str() << argc << argv[0];
}
