namespace CongressVote.Shared;

/// <summary>A congress's rules as data (docs/architecture.md §3): quorum, decisions and elections.</summary>
public sealed record CongressPreset(string Key, MajorityRule? Quorum, MajorityRule Decision, MajorityRule Election, bool ExcusedReduceSummoned)
{
    /// <summary>Army mass organisations, the Trade Union, the Youth Union.</summary>
    public static CongressPreset MassOrganisation { get; } = new(
        "mass_organisation",
        new MajorityRule(2, 3, Strict: false, RuleBase.Summoned),
        MajorityRule.MoreThanHalfOfSummoned,
        new MajorityRule(1, 2, Strict: true, RuleBase.ValidBallots),
        ExcusedReduceSummoned: true);

    public static CongressPreset Party { get; } = new(
        "party",
        new MajorityRule(1, 2, Strict: true, RuleBase.Summoned),
        MajorityRule.MoreThanHalfOfSummoned,
        MajorityRule.MoreThanHalfOfSummoned,
        ExcusedReduceSummoned: true);

    public static CongressPreset Association { get; } = new(
        "association",
        new MajorityRule(1, 2, Strict: true, RuleBase.Summoned),
        new MajorityRule(1, 2, Strict: true, RuleBase.Present),
        new MajorityRule(1, 2, Strict: true, RuleBase.ValidBallots),
        ExcusedReduceSummoned: false);

    public static CongressPreset SimpleAssembly { get; } = new(
        "simple",
        null,
        new MajorityRule(1, 2, Strict: true, RuleBase.YesPlusNo),
        new MajorityRule(0, 1, Strict: true, RuleBase.ValidBallots),
        ExcusedReduceSummoned: false);

    public static IReadOnlyList<CongressPreset> All { get; } = [MassOrganisation, Party, Association, SimpleAssembly];

    public static CongressPreset ByKey(string key) => All.FirstOrDefault(p => p.Key == key) ?? MassOrganisation;

    /// <summary>Whether the present delegates make the congress valid; always true where the preset has no quorum.</summary>
    public bool QuorumReached(int present, int summoned) => Quorum is null || Quorum.IsMet(present, summoned);
}
