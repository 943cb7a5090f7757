using CongressVote.Shared;

namespace CongressVote.Tests.Rules;

/// <summary>Counting elections: who is elected under each preset's rule, ties at the last seat, unfilled seats.</summary>
public sealed class ElectionCountTests
{
    private static List<(CandidateDto, int)> Votes(params int[] votes) =>
        votes.Select((v, i) => (new CandidateDto(i + 1, $"Ứng viên {i + 1}", null, null, null), v)).ToList();

    private static ElectionFigures Figures(int valid, int entitled = 363, int present = 350) =>
        new(Issued: valid, Returned: valid, Valid: valid, Invalid: 0, Entitled: entitled, Present: present);

    private static IEnumerable<int> Elected(ElectionResultDto result) =>
        result.Ranked.Where(r => r.Outcome == CandidateOutcome.Elected).Select(r => r.Position).Order();

    // Mass organisations and associations: more than half of the valid ballots. 101 valid ballots: 50.5 needed.
    [TestCase("mass_organisation", 51, true)]
    [TestCase("mass_organisation", 50, false)]
    [TestCase("association", 51, true)]
    [TestCase("association", 50, false)]
    // Party: more than half of the summoned (363): 181.5, so 182 is elected and 181 is not, whatever the valid count.
    [TestCase("party", 182, true)]
    [TestCase("party", 181, false)]
    // A simple assembly: most votes; any vote at all qualifies.
    [TestCase("simple", 1, true)]
    [TestCase("simple", 0, false)]
    public void A_candidate_is_elected_exactly_from_the_presets_threshold(string preset, int votes, bool elected)
    {
        var rule = CongressPreset.ByKey(preset).Election;
        int valid = preset == "party" ? 300 : 101;
        var result = ElectionCount.Decide(seats: 1, Votes(votes), Figures(valid), rule);
        Assert.That(result.Ranked[0].Outcome, Is.EqualTo(elected ? CandidateOutcome.Elected : CandidateOutcome.NotElected));
    }

    [Test]
    public void The_most_voted_qualifying_candidates_fill_the_seats_and_no_more()
    {
        // 3 seats, 100 valid ballots: 51 needed. Four qualify; the three with most votes are elected.
        var result = ElectionCount.Decide(3, Votes(90, 60, 52, 80, 20), Figures(100), CongressPreset.MassOrganisation.Election);
        Assert.Multiple(() =>
        {
            Assert.That(Elected(result), Is.EqualTo(new[] { 1, 2, 4 }));
            Assert.That(result.Verdict, Is.EqualTo(Verdict.Passed));
            Assert.That(result.Ranked.Select(r => r.Votes), Is.Ordered.Descending);
        });
    }

    [Test]
    public void A_tie_for_the_last_seat_is_reported_and_never_broken()
    {
        // 2 seats: candidate 1 is elected; candidates 2 and 3 tie for the second seat with 70 each.
        var result = ElectionCount.Decide(2, Votes(90, 70, 70, 30), Figures(100), CongressPreset.MassOrganisation.Election);
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(Verdict.Tie));
            Assert.That(Elected(result), Is.EqualTo(new[] { 1 }));
            Assert.That(result.Ranked.Where(r => r.Outcome == CandidateOutcome.Tied).Select(r => r.Position).Order(), Is.EqualTo(new[] { 2, 3 }));
            Assert.That(ElectionCount.SeatsLeft(result), Is.EqualTo(1));
            Assert.That(ElectionWording.Describe(result, new System.Globalization.CultureInfo("vi-VN")), Does.Contain("bằng phiếu"));
        });
    }

    [Test]
    public void A_tie_below_the_threshold_is_not_a_tie_for_a_seat()
    {
        // 2 seats; two qualify; the two tied with 40 are under the 50.5 needed anyway.
        var result = ElectionCount.Decide(2, Votes(90, 80, 40, 40), Figures(101), CongressPreset.MassOrganisation.Election);
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(Verdict.Passed));
            Assert.That(Elected(result), Is.EqualTo(new[] { 1, 2 }));
        });
    }

    [Test]
    public void Fewer_qualifying_candidates_than_seats_is_reported_for_a_second_round()
    {
        var result = ElectionCount.Decide(3, Votes(90, 60, 50, 20), Figures(100), CongressPreset.MassOrganisation.Election);
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(Verdict.Shortfall));
            Assert.That(Elected(result), Is.EqualTo(new[] { 1, 2 }), "50 of 100 is not more than half");
            Assert.That(ElectionCount.SeatsLeft(result), Is.EqualTo(1));
            Assert.That(ElectionWording.Describe(result, new System.Globalization.CultureInfo("en-GB")), Does.Contain("second round"));
        });
    }

    [Test]
    public void Without_the_quorum_at_close_nobody_is_elected()
    {
        var quorum = CongressPreset.MassOrganisation.Quorum;
        var result = ElectionCount.Decide(1, Votes(200), Figures(200, entitled: 363, present: 200), CongressPreset.MassOrganisation.Election, quorum);
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(Verdict.NoQuorum), "200 of 363 is short of two thirds");
            Assert.That(Elected(result), Is.Empty);
        });
    }

    [Test]
    public void Receipt_codes_are_ten_unambiguous_characters_and_typed_variants_read_back()
    {
        var codes = Enumerable.Range(0, 1000).Select(_ => Receipts.NewCode()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(codes, Is.All.Matches<string>(Receipts.IsValid));
            Assert.That(codes.Distinct().Count(), Is.EqualTo(1000));
            Assert.That(string.Concat(codes), Does.Not.Contain("I").And.Not.Contain("L").And.Not.Contain("O").And.Not.Contain("U"));
            Assert.That(Receipts.Normalize(" k7m2q-x9p0a "), Is.EqualTo("K7M2QX9P0A"));
            Assert.That(Receipts.Normalize("K7M2Q-X9PoA"), Is.EqualTo("K7M2QX9P0A"), "the letter O is read as zero");
        });
    }

    [Test]
    public void English_counts_one_seat_in_the_singular()
    {
        var en = System.Globalization.CultureInfo.GetCultureInfo("en-GB");
        var filled = ElectionCount.Decide(1, Votes(90, 10), Figures(100), CongressPreset.MassOrganisation.Election);
        var tied = ElectionCount.Decide(2, Votes(90, 70, 70, 30), Figures(100), CongressPreset.MassOrganisation.Election);
        var short1 = ElectionCount.Decide(2, Votes(90, 20, 10), Figures(100), CongressPreset.MassOrganisation.Election);
        var allThree = ElectionCount.Decide(3, Votes(90, 80, 70), Figures(100), CongressPreset.MassOrganisation.Election);

        Assert.Multiple(() =>
        {
            Assert.That(ElectionWording.Describe(filled, en), Does.StartWith("The seat is filled;"));
            Assert.That(ElectionWording.Describe(tied, en), Does.Contain("2 candidates tied for the last seat:"));
            Assert.That(ElectionWording.Describe(short1, en), Does.Contain("; 1 seat unfilled:"));
            Assert.That(ElectionWording.Describe(allThree, en), Does.StartWith("All 3 seats filled;"));
            Assert.That(new[] { filled, tied, short1, allThree }.Select(r => ElectionWording.Describe(r, en)), Has.None.Contain("(s)"));
        });
    }
}
