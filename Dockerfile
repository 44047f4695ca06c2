# The operator image: `llamaop` on the ASP.NET runtime (it serves /healthz, /readyz and /metrics).
# Build from the repository root: docker build -t llama-operator:dev .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY operator/ operator/
# The operator reads checkpoint manifests and heartbeats with the trainer's storage library.
COPY trainer-image/LlamaTrainer.Storage/ trainer-image/LlamaTrainer.Storage/
RUN dotnet publish operator/LlamaOperator.Cli -c Release -o /out --no-self-contained -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out ./
# The .NET images ship a non-root "app" user (UID 1654); the chart also sets runAsNonRoot and a read-only root filesystem.
USER $APP_UID
ENTRYPOINT ["dotnet", "/app/llamaop.dll"]
CMD ["run"]
