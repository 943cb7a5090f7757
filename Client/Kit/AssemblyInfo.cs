using System.Resources;

// Vietnamese is the app's own language: its strings travel in the app itself, and English is the satellite, so a
// Vietnamese tablet downloads one set of strings, not two.
[assembly: NeutralResourcesLanguage("vi")]

