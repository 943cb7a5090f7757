using CongressVote.Shared;
using FsCheck;
using FsCheck.Fluent;

namespace CongressVote.Tests.Rules;

/// <summary>Properties every majority rule keeps, over generated rules, bases and counts.</summary>
public sealed class MajorityRulePropertyTests
{
    private static Arbitrary<(MajorityRule Rule, int Base, int Yes)> Cases() =>
        (from q in Gen.Choose(1, 12)
         from p in Gen.Choose(0, q)
         from strict in Gen.Elements(true, false)
         from constant in Gen.Choose(0, 3)
         from n in Gen.Choose(0, 20_000)
         from yes in Gen.Choose(0, n)
         select (new MajorityRule(p, q, strict, RuleBase.Summoned, constant), n, yes)).ToArbitrary();

    [Test]
    public void One_more_yes_never_turns_passed_into_failed()
    {
        Prop.ForAll(Cases(), c => !c.Rule.IsMet(c.Yes, c.Base) || c.Rule.IsMet(c.Yes + 1, c.Base))
            .QuickCheckThrowOnFailure();
    }

    [Test]
    public void Strict_and_non_strict_differ_only_at_the_exact_boundary()
    {
        Prop.ForAll(Cases(), c =>
        {
            var strict = c.Rule with { Strict = true };
            var lenient = c.Rule with { Strict = false };
            bool differ = strict.IsMet(c.Yes, c.Base) != lenient.IsMet(c.Yes, c.Base);
            bool onBoundary = (long)c.Yes * c.Rule.Denominator == ((long)c.Base * c.Rule.Numerator) + ((long)c.Rule.Constant * c.Rule.Denominator);
            return differ == onBoundary;
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void The_decision_agrees_with_the_required_figure_it_shows()
    {
        Prop.ForAll(Cases(), c =>
        {
            decimal required = c.Rule.Required(c.Base);
            bool expected = c.Rule.Strict ? c.Yes > required : c.Yes >= required;
            return c.Rule.IsMet(c.Yes, c.Base) == expected;
        }).QuickCheckThrowOnFailure();
    }
}

/// <summary>The boundaries of every preset for a congress of 363 summoned delegates.</summary>
public sealed class PresetBoundaryTests
{
    [TestCase("mass_organisation", 241, false)]
    [TestCase("mass_organisation", 242, true)]
    [TestCase("party", 181, false)]
    [TestCase("party", 182, true)]
    [TestCase("association", 181, false)]
    [TestCase("association", 182, true)]
    [TestCase("simple", 0, true)]
    public void Quorum_of_363_summoned(string preset, int present, bool reached)
    {
        Assert.That(CongressPreset.ByKey(preset).QuorumReached(present, 363), Is.EqualTo(reached));
    }

    [TestCase("mass_organisation", 181, 363, 363, false)]
    [TestCase("mass_organisation", 182, 363, 363, true)]
    [TestCase("party", 182, 363, 300, true)]
    [TestCase("association", 150, 363, 300, false)]
    [TestCase("association", 151, 363, 300, true)]
    public void Decision_on_a_motion(string preset, int yes, int summoned, int present, bool passed)
    {
        var rule = CongressPreset.ByKey(preset).Decision;
        var result = rule.Decide(new PollFigures(yes, 10, 5, summoned, present));
        Assert.That(result.Passed, Is.EqualTo(passed));
    }

    [Test]
    public void A_simple_assembly_decides_on_yes_against_no_only()
    {
        var rule = CongressPreset.SimpleAssembly.Decision;
        Assert.Multiple(() =>
        {
            Assert.That(rule.Decide(new PollFigures(10, 10, 300, 363, 363)).Passed, Is.False, "a tie does not pass");
            Assert.That(rule.Decide(new PollFigures(11, 10, 300, 363, 363)).Passed, Is.True);
        });
    }
}

public sealed class VerdictTests
{
    [Test]
    public void A_motion_with_as_many_yes_as_no_that_fails_is_a_tie()
    {
        var rule = CongressPreset.SimpleAssembly.Decision;
        var result = rule.Decide(new PollFigures(40, 40, 5, 100, 90));
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(Verdict.Tie));
            Assert.That(result.Passed, Is.False);
            Assert.That(RuleWording.Describe(result, System.Globalization.CultureInfo.GetCultureInfo("en-GB")), Does.StartWith("Not adopted (tie)"));
        });
    }

    [Test]
    public void One_yes_and_one_no_of_363_summoned_fails_the_threshold_and_is_not_reported_as_a_tie()
    {
        var result = MajorityRule.MoreThanHalfOfSummoned.Decide(new PollFigures(1, 1, 0, 363, 300));
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(Verdict.Failed));
            Assert.That(RuleWording.Describe(result, System.Globalization.CultureInfo.GetCultureInfo("en-GB")), Does.StartWith("Not adopted: 1 yes of 363 summoned"));
            Assert.That(RuleWording.Describe(result, System.Globalization.CultureInfo.GetCultureInfo("vi-VN")), Does.StartWith("Không thông qua: 1 tán thành"));
        });
    }

    [Test]
    public void A_tie_that_one_vote_moving_to_yes_would_have_carried_is_reported_as_a_tie_in_both_languages()
    {
        // 181 yes of 363 summoned fails "more than 181.5"; one no moving to yes makes 182, which carries.
        var result = MajorityRule.MoreThanHalfOfSummoned.Decide(new PollFigures(181, 181, 0, 363, 362));
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(Verdict.Tie));
            Assert.That(RuleWording.Describe(result, System.Globalization.CultureInfo.GetCultureInfo("en-GB")), Does.StartWith("Not adopted (tie)"));
            Assert.That(RuleWording.Describe(result, System.Globalization.CultureInfo.GetCultureInfo("vi-VN")), Does.StartWith("Không thông qua (hòa)"));
            Assert.That(MajorityRule.MoreThanHalfOfSummoned.Decide(new PollFigures(0, 0, 5, 363, 362)).Verdict, Is.EqualTo(Verdict.Failed), "nobody for and nobody against is no tie");
        });
    }

    [Test]
    public void A_vote_closed_without_quorum_is_void_however_many_said_yes()
    {
        var result = MajorityRule.MoreThanHalfOfSummoned.Decide(new PollFigures(200, 0, 0, 363, 241), CongressPreset.MassOrganisation.Quorum);
        Assert.Multiple(() =>
        {
            Assert.That(result.Verdict, Is.EqualTo(Verdict.NoQuorum));
            Assert.That(result.Passed, Is.False);
            Assert.That(RuleWording.Describe(result, System.Globalization.CultureInfo.GetCultureInfo("vi-VN")),
                Is.EqualTo("Không có hiệu lực: khi kết thúc chỉ có 241/363 đại biểu có mặt, không đủ số quy định"));
        });
    }

    [Test]
    public void With_the_quorum_present_the_rule_decides()
    {
        var result = MajorityRule.MoreThanHalfOfSummoned.Decide(new PollFigures(200, 0, 0, 363, 242), CongressPreset.MassOrganisation.Quorum);
        Assert.That(result.Verdict, Is.EqualTo(Verdict.Passed));
    }
}
