Feature: The settings a deployment sees
  Scenario: Note them
    When I note the deployment's settings
