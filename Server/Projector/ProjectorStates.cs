using CongressVote.Shared;

namespace CongressVote.Server.Projector;

/// <summary>The hall screen's state as stored, read as the contract by the endpoints and the snapshots.</summary>
public static class ProjectorStates
{
    /// <summary>The stored columns as the contract; an unknown stored value reads as Auto.</summary>
    public static ProjectorStateDto Of(string scene, string? message, string language, long version, long? emblemVersion) =>
        new(Enum.TryParse<ProjectorScene>(scene, ignoreCase: true, out var parsed) ? parsed : ProjectorScene.Auto, message, language, version, emblemVersion);
}
