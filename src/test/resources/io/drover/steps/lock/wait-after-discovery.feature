Feature: The wait for other deploys comes before discovery
  Scenario: Waiting is asked for too late
    Given I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And I want to pre-discover how many hosts to update
    And I wait up to 5 minutes for other deploys to finish
    Then the nrpe check check_load should pass
