// The app's one hub connection, on the SignalR JavaScript client. LiveConnection (C#) drives it; messages and
// answers cross as JSON text, so the C# side (de)serialises with the same contracts as the server.
window.congressLive = (() => {
    let connection = null;
    let owner = null;
    const events = ["PollChanged", "TallyChanged", "AttendanceChanged", "SpeakersChanged", "AgendaChanged", "ProjectorChanged", "DossierChanged", "SessionEnded"];

    // Short, jittered retries that never give up: within 250 ms, then within a second, then every 0.5 to 2 s. A
    // restarted server is ready a few seconds after a crash, and every tablet should be back within 5 s of that
    // (the old 1, 2, 4, 8, 10 s back-off left the last of 363 waiting 15 s). The jitter spreads 363 (or 2,000)
    // tablets over the window, and refused connections to a server that is still down cost nothing. The load
    // generator (tests/CongressVote.LoadGen, TabletRetry) retries on the same schedule.
    const retryPolicy = {
        nextRetryDelayInMilliseconds: context => {
            const n = context.previousRetryCount;
            return n === 0 ? Math.random() * 250 : n === 1 ? 250 + Math.random() * 750 : 500 + Math.random() * 1500;
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
