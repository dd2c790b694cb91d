namespace Modular.Data;

/// <summary>A text with a class label: a message and its program, a word and its cut length, a paragraph and its language.</summary>
/// <param name="Text">The input text.</param>
/// <param name="Label">The class index, in [0, number of classes).</param>
public sealed record LabeledText(string Text, int Label);
