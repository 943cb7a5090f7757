// An independent client of the hub: the official JavaScript SignalR client, not the app's own code, sends the
// messages it is given as they are and prints each answer (or error) as one JSON line.
//   BASE_URL=http://127.0.0.1:5000 HUB_PATH=/hubs/congress COOKIE='...' MESSAGES='[{"name":"...","args":[...]}, ...]' node wire-client.mjs
import * as signalR from "@microsoft/signalr";

const connection = new signalR.HubConnectionBuilder()
    .withUrl(process.env.BASE_URL + process.env.HUB_PATH, {
        headers: { Cookie: process.env.COOKIE },
        transport: signalR.HttpTransportType.WebSockets,
        skipNegotiation: true,
    })
    .configureLogging(signalR.LogLevel.None)
    .build();

await connection.start();
for (const message of JSON.parse(process.env.MESSAGES)) {
    try {
        const answer = await connection.invoke("Cast", ...message.args);
        console.log(JSON.stringify({ name: message.name, answer }));
    } catch (error) {
        console.log(JSON.stringify({ name: message.name, error: String(error && error.message || error) }));
    }
}
console.log(JSON.stringify({ name: "state", answer: connection.state }));
await connection.stop();
