using CongressVote.Shared;
using Microsoft.AspNetCore.Components;

namespace CongressVote.Client.Layout;

/// <summary>
/// A staff page. <see cref="ConsoleLayout"/> has read the staff session before the page exists and hands it down, so
/// a page neither checks the sign-in again nor starts without knowing who is signed in.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [CascadingParameter] public SessionDto Session { get; set; } = default!;

    /// <summary>The signed-in account's role: the pages offer only what the server accepts from it.</summary>
    protected StaffRole Role => Session.Staff ?? throw new InvalidOperationException("The console layout renders its pages for staff sessions only.");
}
