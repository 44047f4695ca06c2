using System.Runtime.InteropServices;
using LlamaTrainer.Collectives.Rendezvous;

namespace LlamaTrainer.Collectives.Gloo;

/// <summary>
/// Lends an <see cref="IKeyValueStore"/> to the shim as C callbacks for one group's rendezvous. The shim calls them on
/// the creating thread; an exception cannot cross into C++, so the callback records it and returns an error, and the
/// creator rethrows it (<see cref="Failure"/>) when the shim reports a store error.
/// </summary>
internal sealed unsafe class GlooStoreBridge : IDisposable
{
    private readonly IKeyValueStore _store;
    private GCHandle _self;

    public GlooStoreBridge(IKeyValueStore store)
    {
        _store = store;
        _self = GCHandle.Alloc(this);
    }

    /// <summary>The first exception a callback met, if any.</summary>
    public Exception? Failure { get; private set; }

    public GlooNative.Store Callbacks => new()
    {
        User = GCHandle.ToIntPtr(_self),
        Set = &Set,
        Get = &Get,
        Wait = &Wait,
    };

    public void Dispose()
    {
        if (_self.IsAllocated)
            _self.Free();
    }

    private static GlooStoreBridge From(IntPtr user) => (GlooStoreBridge)GCHandle.FromIntPtr(user).Target!;

    private static string Key(byte* key) => Marshal.PtrToStringUTF8((IntPtr)key)!;

    private int Guard(Action body)
    {
        try
        {
            body();
            return 0;
        }
        catch (Exception e)
        {
            Failure ??= e;
            return 1;
        }
    }

    [UnmanagedCallersOnly]
    private static int Set(IntPtr user, byte* key, byte* data, nuint size)
    {
        var bridge = From(user);
        return bridge.Guard(() => bridge._store.Set(Key(key), new ReadOnlySpan<byte>(data, checked((int)size)).ToArray()));
    }

    // The shim frees *data with free(); NativeMemory.Alloc is malloc.
    [UnmanagedCallersOnly]
    private static int Get(IntPtr user, byte* key, byte** data, nuint* size)
    {
        var bridge = From(user);
        return bridge.Guard(() =>
        {
            var value = bridge._store.Get(Key(key));
            var copy = (byte*)NativeMemory.Alloc((nuint)Math.Max(value.Length, 1));
            value.CopyTo(new Span<byte>(copy, value.Length));
            *data = copy;
            *size = (nuint)value.Length;
        });
    }

    [UnmanagedCallersOnly]
    private static int Wait(IntPtr user, byte** keys, nuint count)
    {
        var bridge = From(user);
        return bridge.Guard(() =>
        {
            var names = new string[(int)count];
            for (var i = 0; i < names.Length; i++)
                names[i] = Key(keys[i]);
            bridge._store.Wait(names);
        });
    }
}
