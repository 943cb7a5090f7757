using System.Globalization;
using CongressVote.Shared;

namespace CongressVote.Tests.Rules;

public sealed class MajorityRuleTests
{
    private static readonly MajorityRule s_moreThanHalfOfSummoned = MajorityRule.MoreThanHalfOfSummoned;

    [Test]
    public void More_than_half_of_363_summoned_is_not_met_by_181_yes()
    {
        Assert.That(s_moreThanHalfOfSummoned.IsMet(181, 363), Is.False);
    }

    [Test]
    public void More_than_half_of_363_summoned_is_met_by_182_yes()
    {
        Assert.That(s_moreThanHalfOfSummoned.IsMet(182, 363), Is.True);
    }

    [Test]
    public void More_than_half_of_an_even_base_is_not_met_by_exactly_half()
    {
        Assert.Multiple(() =>
        {
            Assert.That(s_moreThanHalfOfSummoned.IsMet(150, 300), Is.False);
            Assert.That(s_moreThanHalfOfSummoned.IsMet(151, 300), Is.True);
        });
    }

    [Test]
    public void At_least_two_thirds_of_363_is_met_by_242_and_not_by_241()
    {
        var twoThirds = new MajorityRule(2, 3, Strict: false, RuleBase.Summoned);
        Assert.Multiple(() =>
        {
            Assert.That(twoThirds.IsMet(241, 363), Is.False);
            Assert.That(twoThirds.IsMet(242, 363), Is.True);
            Assert.That(twoThirds.Required(363), Is.EqualTo(242m));
        });
    }

    [Test]
    public void The_required_figure_of_more_than_half_of_363_is_181_and_a_half()
    {
        Assert.That(s_moreThanHalfOfSummoned.Required(363), Is.EqualTo(181.5m));
    }

    [Test]
    public void A_decision_on_yes_plus_no_ignores_abstentions_and_absent_delegates()
    {
        var rule = new MajorityRule(1, 2, Strict: true, RuleBase.YesPlusNo);
        var result = rule.Decide(new PollFigures(Yes: 10, No: 9, Abstain: 200, Entitled: 363, Present: 300));
        Assert.Multiple(() =>
        {
            Assert.That(result.BaseCount, Is.EqualTo(19));
            Assert.That(result.Passed, Is.True);
        });
    }

    [Test]
    public void A_decision_on_the_summoned_counts_absent_delegates_against_it()
    {
        var result = s_moreThanHalfOfSummoned.Decide(new PollFigures(Yes: 181, No: 0, Abstain: 0, Entitled: 363, Present: 181));
        Assert.That(result.Passed, Is.False);
    }

    [Test]
    public void The_result_is_described_in_English_with_the_rule_and_the_threshold()
    {
        var result = s_moreThanHalfOfSummoned.Decide(new PollFigures(341, 12, 10, 363, 363));
        Assert.That(RuleWording.Describe(result, CultureInfo.GetCultureInfo("en-GB")),
            Is.EqualTo("Adopted: 341 yes of 363 summoned (93.9%); required more than 181.5"));
    }

    [Test]
    public void The_result_is_described_in_Vietnamese_with_Vietnamese_number_formatting()
    {
        var result = s_moreThanHalfOfSummoned.Decide(new PollFigures(181, 150, 32, 363, 363));
        Assert.That(RuleWording.Describe(result, CultureInfo.GetCultureInfo("vi-VN")),
            Is.EqualTo("Không thông qua: 181 tán thành / 363 đại biểu được triệu tập (49,9%); yêu cầu trên 181,5"));
    }
}

public sealed class QuorumTests
{
    [Test]
    public void The_mass_organisation_quorum_of_363_summoned_is_reached_by_242_present_and_not_by_241()
    {
        var preset = CongressPreset.MassOrganisation;
        Assert.Multiple(() =>
        {
            Assert.That(preset.QuorumReached(241, 363), Is.False);
            Assert.That(preset.QuorumReached(242, 363), Is.True);
        });
    }

    [Test]
    public void A_party_congress_needs_more_than_half_present()
    {
        Assert.Multiple(() =>
        {
            Assert.That(CongressPreset.Party.QuorumReached(150, 300), Is.False);
            Assert.That(CongressPreset.Party.QuorumReached(151, 300), Is.True);
        });
    }

    [Test]
    public void A_simple_assembly_has_no_quorum()
    {
        Assert.That(CongressPreset.SimpleAssembly.QuorumReached(1, 500), Is.True);
    }

    [Test]
    public void The_quorum_is_described_in_both_languages()
    {
        var attendance = new AttendanceDto(1, 363, 301, 0, 0, true, 242m, false, true, [], []);
        Assert.Multiple(() =>
        {
            Assert.That(QuorumWording.Describe(attendance, CultureInfo.GetCultureInfo("en-GB")),
                Is.EqualTo("Quorum reached: 301 of 363 present (82.9%); required at least 242"));
            Assert.That(QuorumWording.Describe(attendance, CultureInfo.GetCultureInfo("vi-VN")),
                Is.EqualTo("Đủ số đại biểu: 301/363 có mặt (82,9%); cần ít nhất 242"));
        });
    }
}

public sealed class ThresholdWordingTests
{
    [Test]
    public void An_at_least_threshold_that_is_not_whole_is_shown_rounded_up()
    {
        var attendance = new AttendanceDto(1, 10, 1, 0, 0, false, 20m / 3, false, true, [], []);
        Assert.That(QuorumWording.Describe(attendance, CultureInfo.GetCultureInfo("en-GB")),
            Is.EqualTo("No quorum: 1 of 10 present (10.0%); required at least 7"));
    }
}
