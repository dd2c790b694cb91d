using Modular.Tensors;

namespace Modular.NN;

/// <summary>Supplies extra key and value vectors that an attention layer prepends to its own (prefix tuning).</summary>
public interface IAttentionPrefix
{
    /// <summary>Prefix keys and values, each [batch, prefix length, model dimension].</summary>
    (Tensor Keys, Tensor Values) GetPrefix(int batch);
}
