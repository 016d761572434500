// Infrastructure as code for SocialLearning. Placeholder until the deployment issue: it declares the parameters the
// app needs so `azd` and reviewers see the shape; resources (Function app on Flex Consumption, storage account with
// tables and queues, one user-assigned managed identity, Application Insights) arrive with that issue.
targetScope = 'resourceGroup'

@description('Name of the azd environment, used to derive resource names.')
param environmentName string

@description('Azure region for all resources.')
param location string = resourceGroup().location

@description('The shared mailbox address employees mail their questions to.')
param sharedMailboxAddress string

output AZURE_LOCATION string = location
output SHARED_MAILBOX string = sharedMailboxAddress
output ENVIRONMENT_NAME string = environmentName
