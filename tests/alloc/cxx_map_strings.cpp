// cxx_map_strings.cpp - a C++ workload for operator new/delete: a word index
// in std::map<std::string, std::vector<std::string>>, strings grown and
// erased, containers copied and destroyed, over-aligned objects (the
// aligned operator new).  Deterministic output.
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

struct alignas(64) Cell {
    std::uint64_t value[3];
};

struct alignas(4096) PageObject {
    char bytes[100];
};

std::uint64_t next(std::uint64_t &state)
{
    state = state * 6364136223846793005u + 1442695040888963407u;
    return state >> 33;
}

std::string make_word(std::uint64_t &state)
{
    std::string w;
    std::size_t len = 1 + next(state) % 14;
    for (std::size_t i = 0; i < len; i++)
        w += static_cast<char>('a' + next(state) % 26);
    return w;
}

} // namespace

int main()
{
    std::uint64_t state = 42;
    std::vector<std::string> words;
    for (int i = 0; i < 30000; i++)
        words.push_back(make_word(state));

    std::map<std::string, std::vector<std::string>> index;
    for (const auto &w : words)
        index[w.substr(0, 2)].push_back(w + "/" + std::to_string(w.size()));
    std::cout << index.size() << " prefixes\n";

    std::map<std::string, long> counts;
    for (int round = 0; round < 20; round++) {
        std::string text;
        for (int i = 0; i < 4000; i++) {
            text += words[next(state) % words.size()];
            text += ' ';
        }
        std::size_t start = 0;
        for (std::size_t pos; (pos = text.find(' ', start)) != std::string::npos; start = pos + 1)
            counts[text.substr(start, pos - start)]++;
        auto copy = index;
        for (auto it = copy.begin(); it != copy.end();)
            it = it->second.size() % 2 ? copy.erase(it) : std::next(it);
        counts["#copies"] += static_cast<long>(copy.size());
    }
    long total = 0;
    for (const auto &kv : counts)
        total += kv.second * static_cast<long>(kv.first.size());
    std::cout << counts.size() << " words, weight " << total << "\n";

    std::unordered_map<std::string, std::unique_ptr<std::vector<int>>> owned;
    for (int i = 0; i < 100000; i++) {
        auto &slot = owned[words[static_cast<std::size_t>(i) % words.size()]];
        if (!slot || slot->size() > 50)
            slot = std::make_unique<std::vector<int>>(static_cast<std::size_t>(i % 100), i);
        slot->push_back(i);
    }
    long sum = 0;
    for (const auto &kv : owned)
        sum += static_cast<long>(kv.second->size());
    std::cout << owned.size() << " owned, " << sum << " ints\n";

    for (const auto &kv : index)
        if (kv.first.size() == 2 && kv.first[0] == 'q')
            std::cout << kv.first << ": " << kv.second.size() << " first " << kv.second.front()
                      << "\n";
    std::size_t misaligned = 0;
    std::vector<Cell> cells(10000);
    for (std::size_t i = 0; i < cells.size(); i++)
        cells[i].value[0] = i;
    misaligned += reinterpret_cast<std::uintptr_t>(cells.data()) % 64 != 0;
    std::vector<std::unique_ptr<PageObject>> pages;
    for (int i = 0; i < 50; i++) {
        pages.push_back(std::make_unique<PageObject>());
        misaligned += reinterpret_cast<std::uintptr_t>(pages.back().get()) % 4096 != 0;
        pages.back()->bytes[99] = static_cast<char>(i);
    }
    std::cout << "over-aligned objects misaligned: " << misaligned << ", last "
              << static_cast<int>(pages.back()->bytes[99]) << "\n";

    std::string big;
    for (int i = 0; i < 200; i++)
        big.append(static_cast<std::size_t>(next(state) % 100000), static_cast<char>('A' + i % 26));
    std::cout << big.size() << " " << big[big.size() / 2] << "\n";
    return 0;
}
