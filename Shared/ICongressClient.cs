namespace CongressVote.Shared;

/// <summary>What the server pushes to every connected tablet, console and projector.</summary>
public interface ICongressClient
{
    /// <summary>A poll was opened, closed or changed; a closed poll carries its stored result.</summary>
    Task PollChanged(PollDto poll);

    /// <summary>A coalesced live count, sent at most a few times a second per poll.</summary>
    Task TallyChanged(TallyDto tally);

    /// <summary>Coalesced attendance and quorum, after check-ins and check-outs.</summary>
    Task AttendanceChanged(AttendanceDto attendance);

    /// <summary>The list of speakers of the current item changed.</summary>
    Task SpeakersChanged(IReadOnlyList<SpeechDto> speakers);

    /// <summary>The secretariat chose another projector scene, message or screen language (consoles and projectors).</summary>
    Task ProjectorChanged(ProjectorStateDto projector);

    /// <summary>The agenda, the current item or the list of polls changed: fetch a fresh snapshot.</summary>
    Task AgendaChanged();

    /// <summary>An election dossier changed: its step, its list of nominees, a withdrawal asked or decided.</summary>
    Task DossierChanged(DossierDto dossier);

    /// <summary>This tablet's session was ended by staff (a lost tablet, or the badge moved to another device).</summary>
    Task SessionEnded();
}
