namespace CongressVote.Client;

/// <summary>Anchor type for the interface strings in Resources/Strings.resx (English) and Strings.vi.resx.</summary>
public sealed class Strings;
