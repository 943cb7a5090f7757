// The app's one hub connection, on the SignalR JavaScript client. LiveConnection (C#) drives it; messages and
// answers cross as JSON text, so the C# side (de)serialises with the same contracts as the server.
window.congressLive = (() => {
    let connection = null;
    let owner = null;
    const events = ["PollChanged", "TallyChanged", "AttendanceChanged", "SpeakersChanged", "AgendaChanged", "ProjectorChanged", "SessionEnded"];

    // 0, 1, 2, 4, 8 s, then every 10 s, each with up to a second of jitter so 363 tablets do not reconnect in
    // lockstep; it never gives up: a tablet keeps trying until the hall's server is back.
    const retryPolicy = {
        nextRetryDelayInMilliseconds: context => {
            const n = context.previousRetryCount;
            const seconds = n === 0 ? 0 : n < 4 ? Math.pow(2, n - 1) : 10;
            return seconds * 1000 + Math.floor(Math.random() * 1000);
        },
    };

    function build(hubUrl) {
        const built = new signalR.HubConnectionBuilder()
            // WebSockets straight away: one request fewer per tablet, and no sticky sessions needed behind a proxy.
            .withUrl(hubUrl, { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets })
            .withAutomaticReconnect(retryPolicy)
            .configureLogging(signalR.LogLevel.None)
            .build();
        built.serverTimeoutInMilliseconds = 30000;
        for (const name of events) {
            built.on(name, payload => owner?.invokeMethodAsync("OnMessage", name, payload === undefined ? null : JSON.stringify(payload)));
        }
        built.onreconnecting(() => owner?.invokeMethodAsync("OnReconnecting"));
        built.onreconnected(() => owner?.invokeMethodAsync("OnReconnected"));
        built.onclose(() => owner?.invokeMethodAsync("OnClosed"));
        return built;
    }

    return {
        async start(dotnet, hubUrl) {
            owner = dotnet;
            connection ??= build(hubUrl);
            if (connection.state === signalR.HubConnectionState.Disconnected) {
                await connection.start();
            }
        },
        state() {
            return connection ? connection.state : "Disconnected";
        },
        // Invokes a hub method with at most one argument (JSON text) and answers its result as JSON text; a call
        // not answered within the time limit fails, so a half-open Wi-Fi link cannot hold a ballot forever.
        async invoke(method, argumentJson, timeoutMs) {
            if (!connection || connection.state !== signalR.HubConnectionState.Connected) {
                throw new Error("not connected");
            }
            const args = argumentJson === null ? [] : [JSON.parse(argumentJson)];
            let timer;
            const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error("timeout")), timeoutMs); });
            try {
                const result = await Promise.race([connection.invoke(method, ...args), timeout]);
                return JSON.stringify(result);
            } finally {
                clearTimeout(timer);
            }
        },
        async stop() {
            owner = null;
            if (connection) {
                await connection.stop();
            }
        },
    };
})();
