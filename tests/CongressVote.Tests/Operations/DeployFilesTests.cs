using System.Diagnostics;
using CongressVote.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace CongressVote.Tests.Operations;

/// <summary>The files a venue installs from: the systemd units and the compose file, read as their tools read them.</summary>
public sealed class DeployFilesTests
{
    [Test]
    public void The_compose_file_runs_two_nodes_sharing_the_database_the_backplane_and_the_keys_behind_nginx_as_the_only_believed_proxy()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Repository.Root, "deploy/compose/compose.yaml")))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var services = (YamlMappingNode)root["services"];
        string nginxConf = File.ReadAllText(Path.Combine(Repository.Root, "deploy/compose/nginx.conf"));
        string dockerfile = File.ReadAllText(Path.Combine(Repository.Root, "deploy/compose/Dockerfile"));
        // The merge key (<<: *node) as compose applies it: the node's own keys over the anchor's.
        YamlMappingNode Node(string name)
        {
            var service = (YamlMappingNode)services[name];
            var merged = new YamlMappingNode();
            if (service.Children.TryGetValue("<<", out var anchor))
            {
                foreach (var (key, value) in ((YamlMappingNode)anchor).Children)
                {
                    merged.Children[key] = value;
                }
            }

            foreach (var (key, value) in service.Children.Where(c => c.Key.ToString() != "<<"))
            {
                merged.Children[key] = value;
            }

            return merged;
        }

        var a = Node("node-a");
        var b = Node("node-b");
        string Env(YamlMappingNode node, string key) => ((YamlMappingNode)node["environment"])[key].ToString();
        var nginx = (YamlMappingNode)services["nginx"];
        string nginxAddress = ((YamlMappingNode)((YamlMappingNode)nginx["networks"])["hall"])["ipv4_address"].ToString();
        string subnet = ((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["networks"])["hall"])["ipam"])["config"])[0])["subnet"].ToString();

        Assert.Multiple(() =>
        {
            Assert.That(services.Children.Keys.Select(k => k.ToString()), Is.EquivalentTo(new[] { "postgres", "redis", "node-a", "node-b", "nginx" }));
            foreach (string key in new[] { "ConnectionStrings__Congress", "Redis__Connection", "DataProtection__KeysFolder", "Proxy__KnownProxies" })
            {
                Assert.That(Env(a, key), Is.EqualTo(Env(b, key)).And.Not.Empty, key);
            }

            Assert.That(((YamlSequenceNode)a["volumes"]).Select(v => v.ToString()), Does.Contain("keys:/keys"), "one key folder, so a cookie from one node is good on the other");
            Assert.That(Env(a, "Redis__Connection"), Does.StartWith("redis:"));
            Assert.That(Env(a, "ConnectionStrings__Congress"), Does.Contain("Host=postgres").And.Contain("${POSTGRES_PASSWORD"), "no password written in the file");
            Assert.That(Env(a, "Proxy__KnownProxies"), Is.EqualTo(nginxAddress), "nginx is the only proxy whose X-Forwarded-For is believed");
            Assert.That(nginxAddress, Does.StartWith(subnet.Split('.')[0] + "." + subnet.Split('.')[1] + "." + subnet.Split('.')[2] + "."));
            Assert.That(((YamlSequenceNode)nginx["depends_on"]).Select(v => v.ToString()), Is.EquivalentTo(new[] { "node-a", "node-b" }));
            Assert.That(nginxConf, Does.Contain("server node-a:8080").And.Contain("server node-b:8080").And.Contain("listen 443 ssl").And.Contain("X-Forwarded-For"));
            Assert.That(Env(a, "ASPNETCORE_URLS"), Does.EndWith(":8080"));
            Assert.That(dockerfile, Does.Contain("dotnet publish Server/Server.csproj").And.Contain("postgresql-client"));
            Assert.That(((YamlSequenceNode)((YamlMappingNode)services["postgres"])["command"]).Select(v => v.ToString()), Does.Contain("synchronous_commit=on"));
        });
    }

    [Test]
    public void The_systemd_units_verify_and_run_the_published_server_and_the_private_cluster_as_the_congressvote_user()
    {
        string folder = Path.Combine(Repository.Root, "deploy/systemd");
        string server = File.ReadAllText(Path.Combine(folder, "congressvote.service"));
        string database = File.ReadAllText(Path.Combine(folder, "congressvote-db.service"));
        string install = File.ReadAllText(Path.Combine(Repository.Root, "deploy/install.sh"));
        var verify = Process.Start(new ProcessStartInfo("systemd-analyze", ["verify", Path.Combine(folder, "congressvote.service"), Path.Combine(folder, "congressvote-db.service")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        string complaints = verify.StandardError.ReadToEnd() + verify.StandardOutput.ReadToEnd();
        verify.WaitForExit();

        Assert.Multiple(() =>
        {
            Assert.That(verify.ExitCode, Is.Zero, complaints);
            Assert.That(complaints.Split('\n').Where(l => l.Contains("congressvote", StringComparison.OrdinalIgnoreCase) && !l.Contains("/etc/congressvote", StringComparison.Ordinal)), Is.Empty, complaints);
            Assert.That(server, Does.Contain("User=congressvote").And.Contain("Requires=congressvote-db.service").And.Contain("ExecStart=/usr/bin/dotnet /opt/congressvote/CongressVote.Server.dll"));
            Assert.That(database, Does.Contain("User=congressvote").And.Contain("-D /var/lib/congressvote/pg").And.Contain("listen_addresses=127.0.0.1"));
            Assert.That(install, Does.Contain("-o \"$APP\"").And.Contain("APP=/opt/congressvote").And.Contain("initdb\" -D \"$VAR/pg\"").And.Contain("VAR=/var/lib/congressvote"),
                "the installer puts the app and the cluster where the units look");
            Assert.That(install, Does.Contain("https://0.0.0.0:443"), "a real congress on HTTPS");
        });
    }
}
