// C ABI over Debian's libgloo (0.0~git20220518) for LlamaTrainer.Collectives (GlooNative.cs is the other side).
// Every entry point catches every C++ exception and returns a gloo_status; the message (and, when the message names
// a peer's address, that peer's rank) is kept per thread for gloo_last_error. BFloat16 reductions run in Float32:
// the shim widens the buffer, reduces, and rounds back once (round to nearest even), so the result rounds once
// instead of at every hop.
#include <gloo/algorithm.h>
#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/common/error.h>
#include <gloo/math.h>
#include <gloo/reduce_scatter.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/address.h>
#include <gloo/transport/tcp/device.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {

enum gloo_status {
    GLOO_OK = 0,
    GLOO_PEER_FAILURE = 1,  // a peer closed or reset its connection
    GLOO_TIMEOUT = 2,       // a peer (or the store) did not answer within the timeout
    GLOO_STORE_ERROR = 3,   // a store callback failed; the caller holds the reason
    GLOO_INVALID = 4,       // bad arguments
    GLOO_ERROR = 5,         // anything else
};

enum gloo_dtype { GLOO_F32 = 0, GLOO_F64 = 1, GLOO_I64 = 2, GLOO_BF16 = 3 };
enum gloo_op { GLOO_SUM = 0, GLOO_MAX = 1, GLOO_MIN = 2 };

// The rendezvous store, implemented by the caller. Each returns 0 on success. get hands back a malloc'd buffer that
// the shim frees.
typedef int (*gloo_store_set_fn)(void* user, const char* key, const void* data, size_t size);
typedef int (*gloo_store_get_fn)(void* user, const char* key, void** data, size_t* size);
typedef int (*gloo_store_wait_fn)(void* user, const char* const* keys, size_t count);

struct gloo_store {
    void* user;
    gloo_store_set_fn set;
    gloo_store_get_fn get;
    gloo_store_wait_fn wait;
};

struct gloo_context;
struct gloo_pending;

// One half of a point-to-point transfer in gloo_post: send (nonzero) or receive `bytes` at `data` to or from
// group rank `peer`.
struct gloo_transfer {
    void* data;
    size_t bytes;
    int peer;
    int sends;
};

}  // extern "C"

namespace {

thread_local std::string last_error;
thread_local int last_error_peer = -1;

struct StoreCallbackFailed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct InvalidArgument : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class CallbackStore : public gloo::rendezvous::Store {
public:
    explicit CallbackStore(const gloo_store& store) : store_(store) {}

    void set(const std::string& key, const std::vector<char>& data) override {
        if (store_.set(store_.user, key.c_str(), data.data(), data.size()) != 0)
            throw StoreCallbackFailed("store set of key " + key + " failed");
    }

    std::vector<char> get(const std::string& key) override {
        void* data = nullptr;
        size_t size = 0;
        if (store_.get(store_.user, key.c_str(), &data, &size) != 0)
            throw StoreCallbackFailed("store get of key " + key + " failed");
        std::vector<char> value(static_cast<char*>(data), static_cast<char*>(data) + size);
        std::free(data);
        return value;
    }

    // The caller's store applies its own timeout.
    void wait(const std::vector<std::string>& keys) override {
        std::vector<const char*> raw;
        raw.reserve(keys.size());
        for (const auto& key : keys) raw.push_back(key.c_str());
        if (store_.wait(store_.user, raw.data(), raw.size()) != 0)
            throw StoreCallbackFailed("store wait failed");
    }

    void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds&) override { wait(keys); }

private:
    gloo_store store_;
};

// One cached old-style reduce-scatter: the algorithm binds its buffers to pair slots at construction, so it is built
// once per (type, count, op) and run again; every rank builds and evicts in the same order because every rank issues
// the same calls.
struct ReduceScatterEntry {
    int dtype;
    size_t count_per_rank;
    int op;
    std::vector<char> scratch;  // the whole input; the algorithm reduces in place
    std::unique_ptr<gloo::Algorithm> algorithm;
};

constexpr size_t kReduceScatterCacheSize = 4;

// Point-to-point slots live above every collective prefix of gloo/types.h.
constexpr uint64_t kSendRecvSlotBase = static_cast<uint64_t>(0xF0) << 56;

size_t element_size(int dtype) {
    switch (dtype) {
        case GLOO_F32: return 4;
        case GLOO_F64: return 8;
        case GLOO_I64: return 8;
        case GLOO_BF16: return 2;
        default: throw InvalidArgument("unknown element type " + std::to_string(dtype));
    }
}

float bf16_to_f32(uint16_t value) {
    uint32_t bits = static_cast<uint32_t>(value) << 16;
    float result;
    std::memcpy(&result, &bits, sizeof result);
    return result;
}

uint16_t f32_to_bf16(float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    if ((bits & 0x7F800000u) == 0x7F800000u && (bits & 0x007FFFFFu) != 0)
        return static_cast<uint16_t>((bits >> 16) | 0x0040u);  // keep NaN a (quiet) NaN
    bits += 0x7FFFu + ((bits >> 16) & 1u);
    return static_cast<uint16_t>(bits >> 16);
}

void widen(const void* in, float* out, size_t count) {
    auto src = static_cast<const uint16_t*>(in);
    for (size_t i = 0; i < count; i++) out[i] = bf16_to_f32(src[i]);
}

void narrow(const float* in, void* out, size_t count) {
    auto dst = static_cast<uint16_t*>(out);
    for (size_t i = 0; i < count; i++) dst[i] = f32_to_bf16(in[i]);
}

using UntypedReduce = void (*)(void*, const void*, const void*, size_t);

template <typename T>
UntypedReduce reduce_function(int op) {
    switch (op) {
        case GLOO_SUM: return static_cast<UntypedReduce>(&gloo::sum<T>);
        case GLOO_MAX: return static_cast<UntypedReduce>(&gloo::max<T>);
        case GLOO_MIN: return static_cast<UntypedReduce>(&gloo::min<T>);
        default: throw InvalidArgument("unknown reduce op " + std::to_string(op));
    }
}

template <typename T>
const gloo::ReductionFunction<T>* reduction_function(int op) {
    switch (op) {
        case GLOO_SUM: return gloo::ReductionFunction<T>::sum;
        case GLOO_MAX: return gloo::ReductionFunction<T>::max;
        case GLOO_MIN: return gloo::ReductionFunction<T>::min;
        default: throw InvalidArgument("unknown reduce op " + std::to_string(op));
    }
}

// "[10.0.0.1]:41234" from an address string that may carry a sequence number after the port.
std::string listening_address(const std::string& address) {
    auto colon = address.rfind(':');
    if (colon == std::string::npos) return address;
    auto end = colon + 1;
    while (end < address.size() && address[end] >= '0' && address[end] <= '9') end++;
    return address.substr(0, end);
}

}  // namespace

struct gloo_context {
    std::shared_ptr<gloo::rendezvous::Context> context;
    std::chrono::milliseconds timeout;
    // By group rank: the addresses an error may name for the peer's end of its pair with this rank (see create).
    std::vector<std::vector<std::string>> peer_addresses;
    std::list<ReduceScatterEntry> reduce_scatters;
    std::vector<float> wide;  // BFloat16 reductions in Float32
    // By group rank: the slot of the next send to and receive from each peer. The k-th send to a peer meets that
    // peer's k-th receive from this rank, so transfers between two members in one direction meet in posting order.
    std::vector<uint32_t> sends_posted, receives_posted;

    // The rank whose address the message names, or -1.
    int peer_named_in(const std::string& message) const {
        for (size_t rank = 0; rank < peer_addresses.size(); rank++) {
            for (const auto& address : peer_addresses[rank]) {
                if (address.empty()) continue;
                // The port must end where the address does: ":1423" is not ":14231".
                for (auto at = message.find(address); at != std::string::npos; at = message.find(address, at + 1)) {
                    auto end = at + address.size();
                    if (end == message.size() || message[end] < '0' || message[end] > '9')
                        return static_cast<int>(rank);
                }
            }
        }
        return -1;
    }

    template <typename T>
    void allreduce(T* data, size_t count, int op) {
        gloo::AllreduceOptions options(context);
        options.setOutput(data, count);
        options.setReduceFunction(reduce_function<T>(op));
        options.setTimeout(timeout);
        gloo::allreduce(options);
    }

    template <typename T>
    void reduce_scatter(const void* in, void* out, size_t count_per_rank, int dtype, int op) {
        const size_t total = count_per_rank * static_cast<size_t>(context->size);
        if (total > static_cast<size_t>(INT_MAX))
            throw InvalidArgument("reduce-scatter of " + std::to_string(total) + " elements exceeds Gloo's int count");
        auto entry = reduce_scatters.begin();
        while (entry != reduce_scatters.end() &&
               !(entry->dtype == dtype && entry->count_per_rank == count_per_rank && entry->op == op))
            ++entry;
        if (entry == reduce_scatters.end()) {
            if (reduce_scatters.size() == kReduceScatterCacheSize) reduce_scatters.pop_back();
            ReduceScatterEntry created{dtype, count_per_rank, op, std::vector<char>(total * sizeof(T)), nullptr};
            std::vector<T*> pointers{reinterpret_cast<T*>(created.scratch.data())};
            std::vector<int> counts(context->size, static_cast<int>(count_per_rank));
            created.algorithm = std::make_unique<gloo::ReduceScatterHalvingDoubling<T>>(
                context, pointers, static_cast<int>(total), counts, reduction_function<T>(op));
            reduce_scatters.push_front(std::move(created));
        } else if (entry != reduce_scatters.begin()) {
            reduce_scatters.splice(reduce_scatters.begin(), reduce_scatters, entry);
        }
        auto& current = reduce_scatters.front();
        std::memcpy(current.scratch.data(), in, total * sizeof(T));
        current.algorithm->run();
        // The algorithm leaves this rank's reduced chunk at the start of the buffer.
        std::memcpy(out, current.scratch.data(), count_per_rank * sizeof(T));
    }
};

struct gloo_pending {
    struct Posted {
        std::unique_ptr<gloo::transport::UnboundBuffer> buffer;
        bool sends;
    };
    gloo_context* context = nullptr;
    std::vector<Posted> transfers;
};

namespace {

int fail(gloo_context* context, int status, const std::string& message) {
    last_error = message;
    last_error_peer = context != nullptr ? context->peer_named_in(message) : -1;
    return status;
}

bool names_timeout(const std::string& message) {
    return message.find("imeout") != std::string::npos || message.find("imed out") != std::string::npos;
}

// Runs body, mapping every exception to a status.
template <typename Body>
int guarded(gloo_context* context, Body body) {
    try {
        last_error.clear();
        last_error_peer = -1;
        body();
        return GLOO_OK;
    } catch (const StoreCallbackFailed& e) {
        return fail(context, GLOO_STORE_ERROR, e.what());
    } catch (const InvalidArgument& e) {
        return fail(context, GLOO_INVALID, e.what());
    } catch (const gloo::IoException& e) {
        return fail(context, names_timeout(e.what()) ? GLOO_TIMEOUT : GLOO_PEER_FAILURE, e.what());
    } catch (const std::exception& e) {
        return fail(context, names_timeout(e.what()) ? GLOO_TIMEOUT : GLOO_ERROR, e.what());
    } catch (...) {
        return fail(context, GLOO_ERROR, "unknown C++ exception");
    }
}

void require_context(gloo_context* context) {
    if (context == nullptr) throw InvalidArgument("null context");
}

}  // namespace

extern "C" {

// Copies the calling thread's last error message (truncated, NUL-terminated) into buffer; returns the group rank of
// the peer it names, or -1.
int gloo_last_error(char* buffer, size_t capacity) {
    if (buffer != nullptr && capacity > 0) {
        size_t length = last_error.size() < capacity - 1 ? last_error.size() : capacity - 1;
        std::memcpy(buffer, last_error.data(), length);
        buffer[length] = '\0';
    }
    return last_error_peer;
}

// Connects a full mesh of size ranks over TCP, listening on bind_address; store keys are prefixed with prefix.
int gloo_context_create(const gloo_store* store, const char* prefix, int rank, int size, const char* bind_address,
                        int64_t timeout_ms, gloo_context** out) {
    return guarded(nullptr, [&] {
        if (store == nullptr || prefix == nullptr || bind_address == nullptr || out == nullptr)
            throw InvalidArgument("null argument");
        if (size < 1 || rank < 0 || rank >= size)
            throw InvalidArgument("rank " + std::to_string(rank) + " is outside a group of " + std::to_string(size));
        if (timeout_ms <= 0) throw InvalidArgument("timeout must be positive");
        *out = nullptr;
        auto created = std::make_unique<gloo_context>();
        created->timeout = std::chrono::milliseconds(timeout_ms);
        gloo::transport::tcp::attr attr;
        attr.hostname = bind_address;
        auto device = gloo::transport::tcp::CreateDevice(attr);
        CallbackStore callbacks(*store);
        gloo::rendezvous::PrefixStore prefixed(prefix, callbacks);
        created->context = std::make_shared<gloo::rendezvous::Context>(rank, size);
        created->context->setTimeout(created->timeout);
        created->context->connectFullMesh(prefixed, device);
        // Gloo names a failed peer by the address it holds for the peer's end of the pair: the connected socket's
        // far end, or, when the peer connected before this rank reached that pair, the listening address the peer
        // published to the store (Pair::connect overwrites the accepted address with it). Both are kept per peer:
        // the first as each rank publishes its pairs' local ends (line p: its pair with rank p), the second as read
        // back from Gloo's own store entry.
        created->peer_addresses.resize(size);
        created->sends_posted.assign(size, 0);
        created->receives_posted.assign(size, 0);
        if (size > 1) {
            std::string mine;
            for (int peer = 0; peer < size; peer++) {
                if (peer != rank) mine += listening_address(created->context->getPair(peer)->address().str());
                mine += '\n';
            }
            prefixed.set("pairs/" + std::to_string(rank), std::vector<char>(mine.begin(), mine.end()));
            for (int peer = 0; peer < size; peer++) {
                if (peer == rank) continue;
                auto value = prefixed.get("pairs/" + std::to_string(peer));
                std::string lines(value.begin(), value.end());
                size_t start = 0;
                for (int line = 0; line < rank && start != std::string::npos; line++) {
                    start = lines.find('\n', start);
                    if (start != std::string::npos) start++;
                }
                if (start != std::string::npos)
                    created->peer_addresses[peer].push_back(lines.substr(start, lines.find('\n', start) - start));
                // Gloo's entry for the peer: its pairs' listening addresses, one fixed-size record per other rank.
                auto published = prefixed.get(std::to_string(peer));
                auto record = published.size() / static_cast<size_t>(size - 1);
                auto index = static_cast<size_t>(rank < peer ? rank : rank - 1);
                if (record > 0 && published.size() % static_cast<size_t>(size - 1) == 0) {
                    std::vector<char> bytes(published.begin() + static_cast<std::ptrdiff_t>(index * record),
                                            published.begin() + static_cast<std::ptrdiff_t>((index + 1) * record));
                    created->peer_addresses[peer].push_back(
                        listening_address(gloo::transport::tcp::Address(bytes).str()));
                }
            }
        }
        *out = created.release();
    });
}

void gloo_context_destroy(gloo_context* context) {
    try {
        delete context;
    } catch (...) {
        // Closing sockets of a failed group may throw; the memory is released either way.
    }
}

int gloo_allreduce(gloo_context* context, void* data, size_t count, int dtype, int op) {
    return guarded(context, [&] {
        require_context(context);
        switch (dtype) {
            case GLOO_F32: context->allreduce(static_cast<float*>(data), count, op); break;
            case GLOO_F64: context->allreduce(static_cast<double*>(data), count, op); break;
            case GLOO_I64: context->allreduce(static_cast<int64_t*>(data), count, op); break;
            case GLOO_BF16:
                context->wide.resize(count);
                widen(data, context->wide.data(), count);
                context->allreduce(context->wide.data(), count, op);
                narrow(context->wide.data(), data, count);
                break;
            default: element_size(dtype);
        }
    });
}

// in holds size chunks of count_per_rank elements; out receives the reduction of chunk rank. in is left unchanged.
int gloo_reduce_scatter(gloo_context* context, const void* in, void* out, size_t count_per_rank, int dtype, int op) {
    return guarded(context, [&] {
        require_context(context);
        switch (dtype) {
            case GLOO_F32: context->reduce_scatter<float>(in, out, count_per_rank, dtype, op); break;
            case GLOO_F64: context->reduce_scatter<double>(in, out, count_per_rank, dtype, op); break;
            case GLOO_I64: context->reduce_scatter<int64_t>(in, out, count_per_rank, dtype, op); break;
            case GLOO_BF16: {
                const size_t total = count_per_rank * static_cast<size_t>(context->context->size);
                std::vector<float> wide_in(total);
                std::vector<float> wide_out(count_per_rank);
                widen(in, wide_in.data(), total);
                context->reduce_scatter<float>(wide_in.data(), wide_out.data(), count_per_rank, GLOO_F32, op);
                narrow(wide_out.data(), out, count_per_rank);
                break;
            }
            default: element_size(dtype);
        }
    });
}

// out receives every rank's count elements of in, in rank order.
int gloo_allgather(gloo_context* context, const void* in, void* out, size_t count, int dtype) {
    return guarded(context, [&] {
        require_context(context);
        const size_t bytes = count * element_size(dtype);
        gloo::AllgatherOptions options(context->context);
        options.setInput(static_cast<char*>(const_cast<void*>(in)), bytes);
        options.setOutput(static_cast<char*>(out), bytes * static_cast<size_t>(context->context->size));
        options.setTimeout(context->timeout);
        gloo::allgather(options);
    });
}

int gloo_broadcast(gloo_context* context, void* data, size_t count, int dtype, int root) {
    return guarded(context, [&] {
        require_context(context);
        if (root < 0 || root >= context->context->size)
            throw InvalidArgument("broadcast root " + std::to_string(root) + " is outside the group");
        gloo::BroadcastOptions options(context->context);
        options.setOutput(static_cast<char*>(data), count * element_size(dtype));
        options.setRoot(root);
        options.setTimeout(context->timeout);
        gloo::broadcast(options);
    });
}

// Starts every transfer and returns at once with *pending, whose transfers gloo_wait finishes one by one: a rank can
// receive what a peer sends before either waits, and keep computing while its sends go out.
int gloo_post(gloo_context* context, const gloo_transfer* transfers, size_t count, gloo_pending** pending) {
    return guarded(context, [&] {
        require_context(context);
        if (pending == nullptr) throw InvalidArgument("null pending");
        *pending = nullptr;
        const int size = context->context->size;
        for (size_t i = 0; i < count; i++) {
            if (transfers[i].peer < 0 || transfers[i].peer >= size || transfers[i].peer == context->context->rank)
                throw InvalidArgument("transfer " + std::to_string(i) + ": peer " + std::to_string(transfers[i].peer) +
                                      " is not another member of the group");
        }
        auto posted = std::make_unique<gloo_pending>();
        posted->context = context;
        for (size_t i = 0; i < count; i++) {
            const auto& transfer = transfers[i];
            auto buffer = context->context->createUnboundBuffer(transfer.data, transfer.bytes);
            if (transfer.sends)
                buffer->send(transfer.peer, kSendRecvSlotBase | context->sends_posted[transfer.peer]++);
            else
                buffer->recv(transfer.peer, kSendRecvSlotBase | context->receives_posted[transfer.peer]++);
            posted->transfers.push_back({std::move(buffer), transfer.sends != 0});
        }
        *pending = posted.release();
    });
}

// Waits until transfer `index` of `pending` is done, within the group's timeout counted from this call.
int gloo_wait(gloo_pending* pending, size_t index) {
    if (pending == nullptr) return guarded(nullptr, [] { throw InvalidArgument("null pending"); });
    return guarded(pending->context, [&] {
        if (index >= pending->transfers.size())
            throw InvalidArgument("transfer " + std::to_string(index) + " of " + std::to_string(pending->transfers.size()));
        auto& transfer = pending->transfers[index];
        const bool done = transfer.sends ? transfer.buffer->waitSend(pending->context->timeout)
                                         : transfer.buffer->waitRecv(pending->context->timeout);
        if (!done) throw std::runtime_error(std::string(transfer.sends ? "send" : "receive") + " was aborted");
    });
}

// Frees `pending` once its transfers are done (or the group has failed).
void gloo_release(gloo_pending* pending) { delete pending; }

int gloo_barrier(gloo_context* context) {
    return guarded(context, [&] {
        require_context(context);
        gloo::BarrierOptions options(context->context);
        options.setTimeout(context->timeout);
        gloo::barrier(options);
    });
}

}  // extern "C"
